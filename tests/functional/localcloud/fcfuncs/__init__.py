"""Plain FC handler modules the localcloud FC tests register (loaded as FC would load them)."""
