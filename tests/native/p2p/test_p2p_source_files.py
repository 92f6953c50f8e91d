"""The sender's files are read a block at a time; every chunk still holds exactly its bytes."""

from __future__ import annotations

from pathlib import Path

from syncoxide.native.p2p.files import READ_SIZE, SourceFiles
from syncoxide.protocol.sending import ChunkRead


def test_chunks_cut_from_blocks_match_the_files(tmp_path: Path) -> None:
    big = bytes(range(256)) * (3 * READ_SIZE // 256 + 77)
    (tmp_path / "big.bin").write_bytes(big)
    (tmp_path / "small.bin").write_bytes(b"small file")
    sources = SourceFiles([tmp_path / "big.bin", tmp_path / "small.bin"])
    chunk = 64 * 1024 + 5  # not a divisor of the block: chunks straddle block ends
    for offset in range(0, len(big), chunk):
        read = ChunkRead(0, offset, min(chunk, len(big) - offset))
        assert sources.read(read) == big[offset : offset + read.length]
    assert sources.read(ChunkRead(1, 0, 10)) == b"small file"
    assert sources.read(ChunkRead(0, 5, 3)) == big[5:8]  # back to the first file, resumed
    sources.close()


def test_only_the_first_chunk_of_a_block_needs_the_disk(tmp_path: Path) -> None:
    (tmp_path / "f.bin").write_bytes(bytes(2 * READ_SIZE))
    sources = SourceFiles([tmp_path / "f.bin"])
    chunks = [ChunkRead(0, offset, 65536) for offset in range(0, 2 * READ_SIZE, 65536)]
    misses = []
    for read in chunks:
        misses.append(not sources.holds(read))
        sources.read(read)
    assert misses.count(True) == 2 and misses[0] and misses[READ_SIZE // 65536]
    sources.close()


def test_a_file_that_shrank_gives_short_chunks(tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    path.write_bytes(bytes(100_000))
    sources = SourceFiles([path])
    path.write_bytes(bytes(1000))  # truncated after the manifest was made
    assert len(sources.read(ChunkRead(0, 0, 65536))) == 1000
    sources.close()
