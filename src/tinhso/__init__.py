"""tinhso: the digital province platform."""
