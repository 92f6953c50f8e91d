"""The Photos view: your server photos by day, with their duplicates side by side."""
