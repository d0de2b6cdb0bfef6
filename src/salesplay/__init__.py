"""salesplay: destination-based sales enablement from one YAML catalog."""

__version__ = "0.2.0"
