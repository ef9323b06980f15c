# spode: the two commands a new user needs (README.md).
#   make demo   set up, build, create a demo state and serve it on http://127.0.0.1:$(PORT)
#   make test   set up, build, and run the whole suite (SQLite, PostgreSQL, sanitizers)
#   make build  the Release binary at build/spode
#   make web    the web front end at web/dist (served by spode serve at /; docs/web.md)
HOUSEHOLDS ?= 100000
PORT ?= 8080
JOBS ?= $(shell nproc)

.PHONY: demo test build web deps bench clean

deps:
	@bash scripts/install-deps.sh

build: deps
	@cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build build --target spode -j $(JOBS)

web: deps
	@bash scripts/web.sh build

demo: build web
	./build/spode demo --households $(HOUSEHOLDS) --port $(PORT) --db demo/spode.db

test: deps
	@bash scripts/test.sh

bench: deps
	@bash bench/run.sh

clean:
	rm -rf build build-asan .pgtest
