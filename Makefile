# HAIPEDIA: the two commands are `make run` (set up, build, index, search) and `make test`.
CARGO ?= cargo
QUERY ?= cara reset password sakti

.PHONY: setup build index run test bench lint clean-models

setup:            ## model + ONNX Runtime under .models/ (downloads once, checked by sha256)
	bash scripts/setup-model.sh

build:
	$(CARGO) build --release

index: setup build ## build a new generation of corpus/ into indexes/
	./target/release/haipedia index --corpus corpus --out indexes

run: index        ## set up, build, index the default corpus and answer a sample question
	./target/release/haipedia search "$(QUERY)" --index indexes --limit 5

test: setup       ## the whole test suite, with the real model
	$(CARGO) test

bench: setup      ## criterion benchmarks (search latency, indexing throughput)
	$(CARGO) bench

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets -- -D warnings

clean-models:
	rm -rf .models
