"""One module per family of the API; each declares its records, TypedDicts and specs."""
