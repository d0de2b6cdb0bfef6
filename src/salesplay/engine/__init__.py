"""The build engine: units, records of what each output was made from, and executors."""
