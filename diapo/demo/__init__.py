"""The demo engine: runs deck demos (verification and lecture mode)."""
