"""`python -m salesplay`: the `salesplay` command, for an environment without its script."""

from salesplay.entry import main

if __name__ == "__main__":
    main()
