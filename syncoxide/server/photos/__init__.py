"""The Photos view over the server storage: timeline, cached thumbnails, duplicates."""
