"""Notes writers: the offline extractive default and an OpenAI-compatible LLM client."""
