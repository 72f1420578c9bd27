"""News about platforms: feed entries, platform attribution, language, statements, summaries and story grouping."""
