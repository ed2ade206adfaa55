"""The ``inviolable`` command line, above both the graph and the server packages."""
