"""The four Fashion-MNIST files, checked before torchvision reads them (notebook 04).

torchvision trusts the files it finds: a truncated one fails with a bare ``ValueError`` or is reported as
"not found", a label file shorter than its image file fails later with ``IndexError``, and a label of 200
stops training halfway through an epoch. ``check_raw_files`` compares every file with its own header
(the idx format: a magic number, the dimensions, then one byte per value), the image and label counts,
and the labels' range, and names the damaged file.

>>> import tempfile
>>> raw = Path(tempfile.mkdtemp())
>>> _ = (raw / "t10k-labels-idx1-ubyte").write_bytes(bytes([0, 0, 8, 1, 0, 0, 0, 3, 1, 2]))
>>> check_raw_files(raw)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
ValueError: Fashion-MNIST file ...labels-idx1-ubyte is damaged: ... but it holds 10 bytes. Delete it and run again ...
"""
from __future__ import annotations

import math
import struct
from pathlib import Path

# (images file, labels file) of each split, as torchvision stores them in FashionMNIST/raw/.
SPLITS = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
          "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}
IMAGE_SIDE, NUM_CLASSES = 28, 10
UINT8 = 0x08  # the idx format's type code for unsigned bytes


def damaged(path: Path, reason: str) -> ValueError:
    """The one message for a bad data file: which file, what is wrong with it, what to do."""
    return ValueError(f"Fashion-MNIST file {path} is damaged: {reason}. Delete it and run again (it will be "
                      f"downloaded again), or point NIN_DATA_DIR at a good copy")


def read_header(path: Path, ndim: int) -> tuple[int, ...]:
    """The dimensions an idx file of ``ndim`` axes announces, after checking its magic number and that
    its size is exactly the header plus one byte per value."""
    size = path.stat().st_size
    header = 4 + 4 * ndim
    with open(path, "rb") as f:
        head = f.read(header)
    if len(head) < header:
        raise damaged(path, f"it holds {size} bytes, less than its own {header}-byte header")
    if head[:2] != b"\0\0" or head[2] != UINT8 or head[3] != ndim:
        raise damaged(path, f"it does not start like an idx file of bytes with {ndim} dimension(s) "
                            f"(its first bytes are {head[:4].hex(' ')}, expected 00 00 08 {ndim:02x})")
    dims = struct.unpack(f">{ndim}I", head[4:])
    expected = header + math.prod(dims)
    if size != expected:
        raise damaged(path, f"its header announces {dims} values ({expected:,} bytes) but it holds {size:,} bytes")
    return dims


def check_split(raw: Path, images_name: str, labels_name: str) -> None:
    """Check one split's images and labels, each if it is there (torchvision downloads missing files)."""
    images, labels = raw / images_name, raw / labels_name
    image_dims = read_header(images, 3) if images.is_file() else None
    label_dims = read_header(labels, 1) if labels.is_file() else None
    if image_dims is not None:
        if image_dims[0] == 0:
            raise damaged(images, "it holds no images")
        if image_dims[1:] != (IMAGE_SIDE, IMAGE_SIDE):
            raise damaged(images, f"its images are {image_dims[1]}x{image_dims[2]}, Fashion-MNIST's are "
                                  f"{IMAGE_SIDE}x{IMAGE_SIDE}")
    if label_dims is not None:
        values = labels.read_bytes()[8:]
        if not values:
            raise damaged(labels, "it holds no labels")
        if max(values) >= NUM_CLASSES:
            raise damaged(labels, f"it holds the label {max(values)}, but Fashion-MNIST's labels are "
                                  f"0..{NUM_CLASSES - 1}")
    if image_dims is not None and label_dims is not None and image_dims[0] != label_dims[0]:
        raise damaged(labels, f"it holds {label_dims[0]:,} labels for the {image_dims[0]:,} images of {images.name}")


def check_raw_files(raw: Path) -> None:
    """Check every Fashion-MNIST file present in ``raw`` (``FashionMNIST/raw``): sizes against headers,
    as many labels as images, labels 0-9. Raises ``ValueError`` naming the first bad file."""
    for images_name, labels_name in SPLITS.values():
        check_split(Path(raw), images_name, labels_name)
