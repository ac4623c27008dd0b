"""A person's data over its whole life: everything held about them for them to download, how long
it is kept, and its anonymisation."""
