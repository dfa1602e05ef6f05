"""Kubernetes access and the local control plane used by tests and CI."""
