from dataasset.cli import main

main()
