# The treatment-options bot. `make help` lists the targets.
SHELL := /bin/bash
VENV := .venv/bin
export RASA_TELEMETRY_ENABLED := false
export ACTION_ENDPOINT_URL ?= http://localhost:5055/webhook
export TRACKER_DB ?= var/conversations.db

.DEFAULT_GOAL := help
.PHONY: help setup train run chat replay stop test test-unit validate test-stories test-e2e evaluate safety-eval bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

setup: ## Make .venv (Python 3.10) and install the project
	@bash scripts/setup.sh

train: setup ## Train the Rasa model (skipped when nothing changed)
	@$(VENV)/rasa train --fixed-model-name current --quiet

run: train ## Set up, train if needed, start both servers and keep them running (Ctrl-C stops)
	@bash scripts/run.sh

chat: train ## Chat with the bot in the terminal (starts and stops the servers for you)
	@bash scripts/chat.sh

replay: train ## Replay a scripted conversation: make replay FILE=conversations/demo.yml
	@bash scripts/chat.sh replay $(or $(FILE),conversations/demo.yml)

stop: ## Stop servers started in the background
	@bash scripts/stop.sh

test: train ## Run every test: unit, actions, data validation, story tests, end-to-end conversations
	@bash scripts/test.sh

test-unit: setup ## Only the fast tests of bot/ and actions/
	@$(VENV)/python -m pytest tests/bot tests/actions -q

validate: setup ## rasa data validate, warnings count as errors
	@$(VENV)/rasa data validate --fail-on-warnings --quiet

test-stories: train ## Rasa story tests (tests/stories), failing on any prediction error
	@$(VENV)/rasa test core --stories tests/stories --fail-on-prediction-errors --out results/stories --quiet

test-e2e: train ## Conversations through both servers on free ports
	@$(VENV)/python -m pytest tests/e2e -q

evaluate: train ## NLU evaluation on the held-out set: reports, confusion matrix, macro-F1
	@$(VENV)/python scripts/evaluate.py

safety-eval: train ## Crisis recall, near-miss false positives and advice refusals, guard vs classifier
	@$(VENV)/python scripts/safety_eval.py --model models/current.tar.gz

bench: train ## Benchmark against a stock `rasa init` bot on this machine (results/bench/)
	@$(VENV)/python scripts/bench.py

clean: ## Remove the trained model, results and logs (keeps .venv)
	rm -rf models results var/log var/run
