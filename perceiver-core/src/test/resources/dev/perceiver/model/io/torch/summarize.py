"""Writes summary.json: an independent description of every pytorch_model.bin below this folder.

Used by TorchCheckpointFixturesTest to check the Java reader against Python's own pickle machinery and numpy
(no torch needed). Run from this folder: python3 summarize.py
For each tensor: storage dtype, shape, stride, storage key and offset, element count of its storage, and the
float64 sum, absolute sum and first and last element of its values (strides applied by numpy).
"""

import collections
import glob
import json
import pickle
import zipfile

import numpy as np

DTYPES = {
    "FloatStorage": np.float32,
    "DoubleStorage": np.float64,
    "HalfStorage": np.float16,
    "LongStorage": np.int64,
    "IntStorage": np.int32,
    "ShortStorage": np.int16,
    "CharStorage": np.int8,
    "ByteStorage": np.uint8,
    "BoolStorage": np.bool_,
}


class Tensor:
    def __init__(self, storage, offset, size, stride):
        self.storage, self.offset, self.size, self.stride = storage, offset, tuple(size), tuple(stride)


class Reader(pickle.Unpickler):
    def __init__(self, file, archive, prefix):
        super().__init__(file)
        self.archive, self.prefix = archive, prefix

    def find_class(self, module, name):
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return lambda storage, offset, size, stride, *rest: Tensor(storage, offset, size, stride)
        if module == "torch" and name in DTYPES:
            return name
        raise pickle.UnpicklingError(f"{module}.{name} not allowed")

    def persistent_load(self, pid):
        kind, storage_type, key, location, numel = pid
        assert kind == "storage"
        raw = self.archive.read(f"{self.prefix}/data/{key}")
        return storage_type, key, numel, np.frombuffer(raw, dtype=DTYPES[storage_type])


def summarize(path):
    z = zipfile.ZipFile(path)
    pkl = [n for n in z.namelist() if n.endswith("/data.pkl")][0]
    prefix = pkl.rsplit("/", 1)[0]
    state = Reader(z.open(pkl), z, prefix).load()
    out = collections.OrderedDict()
    for name, t in state.items():
        storage_type, key, numel, values = t.storage
        item = values.itemsize
        view = np.lib.stride_tricks.as_strided(
            values[t.offset:], shape=t.size, strides=[s * item for s in t.stride], writeable=False
        ).astype(np.float64).ravel()
        out[name] = {
            "storage": storage_type,
            "shape": list(t.size),
            "stride": list(t.stride),
            "key": key,
            "offset": t.offset,
            "storage_numel": numel,
            "sum": float(view.sum()),
            "abs_sum": float(np.abs(view).sum()),
            "first": float(view[0]) if view.size else None,
            "last": float(view[-1]) if view.size else None,
        }
    return out


summary = collections.OrderedDict()
for f in sorted(glob.glob("*/*/pytorch_model.bin")):
    summary[f] = summarize(f)
with open("summary.json", "w") as f:
    json.dump(summary, f, indent=1)
    f.write("\n")
