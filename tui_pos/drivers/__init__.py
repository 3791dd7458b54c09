"""Hardware adapters: blocking, Textual-free classes implementing the services' ports."""
