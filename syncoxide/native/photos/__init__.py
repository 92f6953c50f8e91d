"""CPython photo reading: capture date, size, perceptual hash and a thumbnail, with Pillow."""
