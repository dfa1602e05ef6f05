"""The MkDocs plugin `diapo`: reading pages and presentation views."""
