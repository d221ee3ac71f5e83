import sys

from lambdaprobe.cli import main

sys.exit(main())
