"""Local development tooling (not bundled into any function): the emulator stack's wiring."""
