"""Photos' sans-IO core: a timeline by capture date, albums by folder, and near duplicates
found among perceptual hashes, in pure Python so the browser can run it too."""
