"""Background work: the Dramatiq broker, the actors (thin calls into use cases) and the schedule."""
