"""Wire models: the JSON shapes of the staff API, imported by the server and the console."""
