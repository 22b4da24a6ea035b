# The treatment-options bot. `make help` lists the targets.
SHELL := /bin/bash
VENV := .venv/bin
export RASA_TELEMETRY_ENABLED := false
# Settings (endpoints.yml reads them): the environment, then .env, then the defaults in .env.example.
# Quiet by default: third-party deprecation warnings are filtered out of what reaches the screen (scripts/env.sh,
# pytest's -p no:warnings); VERBOSE=1 shows everything.
ENV := . scripts/env.sh &&

.DEFAULT_GOAL := help
.PHONY: help setup train run chat replay stop test test-unit validate test-stories test-e2e evaluate evaluate-answers safety-eval bench profile clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

setup: ## Make .venv (Python 3.10) and install the project
	@bash scripts/setup.sh

train: setup ## Train the Rasa model (skipped when nothing changed)
	@$(ENV) $(VENV)/rasa train --fixed-model-name current --quiet

# run and chat train through a sub-make whose output drops third-party deprecation warnings (VERBOSE=1 keeps them).
run: setup ## Set up, train if needed, start the servers and keep them running: a stopped one is restarted (Ctrl-C stops)
	@set -o pipefail; PYTHONUNBUFFERED=1 $(MAKE) --no-print-directory train 2>&1 | $(VENV)/python -m bot.cli quiet
	@bash scripts/run.sh

chat: setup ## Chat with the bot in the terminal (starts and stops the servers for you)
	@set -o pipefail; PYTHONUNBUFFERED=1 $(MAKE) --no-print-directory train 2>&1 | $(VENV)/python -m bot.cli quiet
	@bash scripts/chat.sh

replay: train ## Replay a scripted conversation: make replay FILE=conversations/demo.yml
	@bash scripts/chat.sh replay $(or $(FILE),conversations/demo.yml)

stop: ## Stop servers started in the background
	@bash scripts/stop.sh

test: train ## Run every test: unit, actions, data validation, story tests, end-to-end conversations
	@bash scripts/test.sh

test-unit: setup ## Only the fast tests of bot/ and actions/
	@$(ENV) $(VENV)/python -m pytest tests/bot tests/actions -q $(if $(VERBOSE),-p warnings)

validate: setup ## rasa data validate, warnings count as errors
	@$(ENV) $(VENV)/rasa data validate --fail-on-warnings --quiet

test-stories: train ## Story tests end to end (tests/stories): user text through the NLU, then the actions; fails on any error
	@$(ENV) $(VENV)/rasa test core --e2e --stories tests/stories --fail-on-prediction-errors --out results/stories --quiet

test-e2e: train ## Conversations through both servers on free ports
	@$(ENV) $(VENV)/python -m pytest tests/e2e -q $(if $(VERBOSE),-p warnings)

evaluate: train ## NLU evaluation on the held-out set (reports, confusion matrix, macro-F1), then evaluate-answers
	@$(ENV) $(VENV)/python scripts/evaluate.py
	@$(MAKE) --no-print-directory evaluate-answers

evaluate-answers: train ## Realistic questions, both halves: retrieval vs the BM25 baseline and the old router; whole replies
	@$(ENV) LOG_LEVEL=WARNING $(VENV)/python scripts/compare_retrieval.py --model models/current.tar.gz \
		--json results/retrieval/compare.json
	@$(ENV) LOG_LEVEL=WARNING $(VENV)/python scripts/evaluate_answers.py --model models/current.tar.gz \
		--json results/retrieval/answers.json

safety-eval: train ## Safety: help per warning sign and tier, false alarms, guard vs classifier vs both; forget-me near-misses
	@$(ENV) LOG_LEVEL=WARNING $(VENV)/python scripts/safety_eval.py --model models/current.tar.gz
	@$(ENV) LOG_LEVEL=WARNING $(VENV)/python scripts/forget_me_eval.py --model models/current.tar.gz

bench: train ## Benchmark vs a stock `rasa init` bot, and 1 vs 2 Rasa processes (results/bench/)
	@bash scripts/setup_services.sh
	@$(ENV) $(VENV)/python scripts/bench.py

profile: train ## Where a turn's time goes: median time of each stage, turns 1-20 vs 181-200
	@$(ENV) $(VENV)/python scripts/profile_turn.py

.PHONY: feedback-report
feedback-report: setup ## The widget's thumbs up/down by fact, reason and intent (FEEDBACK_DIR, default var/feedback/)
	@$(ENV) $(VENV)/python scripts/feedback_report.py

clean: ## Remove the trained model, results and logs (keeps .venv)
	rm -rf models results var/log var/run
