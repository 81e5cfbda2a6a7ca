"""Retrieval: embedders (protocol, sentence-transformers, cache, coalescing), the embedding
budget, the FAISS mentor index and the retriever that finds candidate mentors."""
