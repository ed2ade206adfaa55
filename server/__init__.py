"""The web server: SPARQL 1.1 Protocol endpoint, linked-data pages, dumps and the query page."""
