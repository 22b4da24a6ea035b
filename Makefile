# The treatment-options bot. `make help` lists the targets.
SHELL := /bin/bash
VENV := .venv/bin
export RASA_TELEMETRY_ENABLED := false
# Settings (endpoints.yml reads them): the environment, then .env, then the defaults in .env.example.
ENV := . scripts/env.sh &&

.DEFAULT_GOAL := help
.PHONY: help setup train run chat replay stop test test-unit validate test-stories test-e2e evaluate safety-eval bench profile clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

setup: ## Make .venv (Python 3.10) and install the project
	@bash scripts/setup.sh

train: setup ## Train the Rasa model (skipped when nothing changed)
	@$(ENV) $(VENV)/rasa train --fixed-model-name current --quiet

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
	@$(ENV) $(VENV)/python -m pytest tests/bot tests/actions -q

validate: setup ## rasa data validate, warnings count as errors
	@$(ENV) $(VENV)/rasa data validate --fail-on-warnings --quiet

test-stories: train ## Rasa story tests (tests/stories), failing on any prediction error
	@$(ENV) $(VENV)/rasa test core --stories tests/stories --fail-on-prediction-errors --out results/stories --quiet

test-e2e: train ## Conversations through both servers on free ports
	@$(ENV) $(VENV)/python -m pytest tests/e2e -q

evaluate: train ## NLU evaluation on the held-out set: reports, confusion matrix, macro-F1
	@$(ENV) $(VENV)/python scripts/evaluate.py

safety-eval: train ## Safety: help per warning sign and tier, false alarms, guard vs classifier vs both; forget-me near-misses
	@$(ENV) LOG_LEVEL=WARNING $(VENV)/python scripts/safety_eval.py --model models/current.tar.gz
	@$(ENV) LOG_LEVEL=WARNING $(VENV)/python scripts/forget_me_eval.py --model models/current.tar.gz

bench: train ## Benchmark vs a stock `rasa init` bot, and 1 vs 2 Rasa processes (results/bench/)
	@bash scripts/setup_services.sh
	@$(ENV) $(VENV)/python scripts/bench.py

profile: train ## Where a turn's time goes: median time of each stage, turns 1-20 vs 181-200
	@$(ENV) $(VENV)/python scripts/profile_turn.py

clean: ## Remove the trained model, results and logs (keeps .venv)
	rm -rf models results var/log var/run
