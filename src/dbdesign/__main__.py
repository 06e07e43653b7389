"""python -m dbdesign"""

from dbdesign.cli import main

main()
