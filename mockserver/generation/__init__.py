"""Generation: the seeded text of a job, its credits, and JSON-mode output that follows the caller's schema."""
