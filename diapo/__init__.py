"""diapo: Marp-style lecture decks built into an MkDocs site, with verified Kubernetes demos."""

__version__ = "0.2.0"
