"""The app square (应用广场, plan action A3): taxpayer apps submitted by developers and tax
offices, their packages checked on submission, reviewed, published with their checksum,
found, downloaded through expiring links, and withdrawn (docs/usage/apps.md)."""
