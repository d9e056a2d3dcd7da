"""What every stage shares: the dead-letter mechanism, shared models, time bounds, errors."""
