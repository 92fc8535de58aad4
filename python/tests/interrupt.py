"""A long run that tests/cli_python.sh interrupts with SIGINT: it must end with
KeyboardInterrupt soon after, leaving no file of the run behind. argv: the folder."""
import signal
import sys

import collapse

# a background job of a script starts with SIGINT ignored; a terminal's Ctrl-C is not
signal.signal(signal.SIGINT, signal.default_int_handler)

print("started", flush=True)
# 20 points x 500 replicates x 1000 generations: minutes of work, a few hundred MB at a time
collapse.run("cats", {"regime.name": "fresh", "sampling.temperature": 1,
                      "regime.h": "linspace(0, 0.5, 20)"},
             replicates=500, generations=1000, dir=sys.argv[1])
print("finished (not interrupted)", flush=True)
