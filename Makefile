# HAIPEDIA: the two commands are `make run` (set up, build, index, serve) and `make test`.
CARGO ?= cargo
QUERY ?= cara reset password sakti

.PHONY: setup browser cluster build index ask run test fuzz-smoke bench load lint clean-models

setup:            ## model + ONNX Runtime under .models/ (downloads once, checked by sha256)
	bash scripts/setup-model.sh

browser:          ## Debian's chromium + chromedriver for the page tests (tests/web.rs), once
	bash scripts/setup-browser.sh

cluster:          ## Debian's postgresql + haproxy for the store and cluster tests, once (the tests start their own)
	bash scripts/setup-cluster.sh

build:
	$(CARGO) build --release

index: setup build ## build a new generation of corpus/ into indexes/
	./target/release/haipedia index --corpus corpus --out indexes

ask: index        ## answer one question as the bot would
	./target/release/haipedia ask "$(QUERY)" --index indexes

run: index        ## set up, build, index the default corpus, show a sample search, serve on 127.0.0.1:8080
	./target/release/haipedia search "$(QUERY)" --index indexes --limit 3
	@echo 'serving: agents http://127.0.0.1:8080/ | editors http://127.0.0.1:8080/admin | supervisors http://127.0.0.1:8080/admin/dashboard (both need HAIPEDIA_ADMIN_TOKEN)'
	@echo '         curl -s localhost:8080/v1/answer -H "content-type: application/json" -d "{\"question\": \"$(QUERY)\"}"'
	./target/release/haipedia serve --index indexes

test: setup browser cluster ## the whole test suite, with the real model, a real browser, PostgreSQL and HAProxy
	$(CARGO) test

fuzz-smoke:       ## every fuzz target for a few seconds from the committed seeds (CI runs it after the tests)
	bash scripts/fuzz.sh 10

bench: setup      ## criterion benchmarks (search latency, indexing throughput)
	$(CARGO) bench

load: index       ## load benchmark of /v1/answer with wrk (installs wrk from Debian if missing)
	bash benches/load.sh

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets -- -D warnings

clean-models:
	rm -rf .models
