# feedsim: every target sets up what it needs; nothing is installed by hand.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test test-fast figures structure sensitivity validation bench lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,cluster]'
	touch $(STAMP)

install: $(STAMP) ## create .venv and install feedsim with its test tools and the cluster extra

demo: $(STAMP) ## run the headline study into results/demo/ (ignored by git: the checkout stays clean)
	$(BIN)/feedsim run scenarios/recruiter-accepts-100-it.yaml --out results/demo --jobs 2

test: $(STAMP) ## run the whole test suite (what CI runs)
	$(BIN)/python -m pytest -n 2 --dist loadscope

test-fast: $(STAMP) ## unit tests and small end-to-end checks (about 3 min on two cores; make test 8-12 min)
	$(BIN)/python -m pytest -m "not slow" -n 2 --dist loadscope

JOBS ?= 2
RANKERS := linkedin,edgerank,twitter-2023,chronological,random
figures: $(STAMP) ## re-run every bundled study (and sweep) and rewrite its committed figures and report
	$(BIN)/feedsim run scenarios/recruiter-accepts-100-it.yaml --out results --jobs $(JOBS)
	$(BIN)/feedsim run scenarios/link-with-everyone.yaml --out results --jobs $(JOBS)
	$(BIN)/feedsim run scenarios/trend-spreads.yaml --out results --jobs $(JOBS)
	$(BIN)/feedsim run scenarios/trend-spreads-email.yaml --out results --jobs $(JOBS)
	$(BIN)/feedsim sweep scenarios/trend-spreads.yaml --out results --jobs $(JOBS) \
	  --replications 2 --set trend.contagion.threshold=1,2,3,5
	$(BIN)/feedsim sweep scenarios/recruiter-accepts-100-it.yaml --out results --jobs $(JOBS) \
	  --set variants.accept-100-it.events.0.count=25,50,100,200,400
	$(BIN)/feedsim sweep scenarios/recruiter-accepts-100-it.yaml --out results/rankers --jobs $(JOBS) \
	  --set platform.ranker=$(RANKERS)

# The structural options no source decides (docs/model.md 7.26): each bundled study with one
# option at a time switched to its alternative (the defaults are the studies of `figures`,
# replication r with the same seed); link-with-everyone also for a creator (0.3 posts a day).
STRUCTURE := results/structure
RECRUITER := scenarios/recruiter-accepts-100-it.yaml
EVERYONE := scenarios/link-with-everyone.yaml --replications 4
structure: $(STAMP) ## the bundled studies under each structural alternative, into $(STRUCTURE)/ (docs/model.md 7.26)
	$(BIN)/feedsim sweep $(RECRUITER) --out $(STRUCTURE)/followers-pull --jobs $(JOBS) \
	  --set platform.followers=pull
	$(BIN)/feedsim sweep $(RECRUITER) --out $(STRUCTURE)/inference-compounding --jobs $(JOBS) \
	  --set platform.inference.connection_rule=compounding
	$(BIN)/feedsim sweep $(RECRUITER) --out $(STRUCTURE)/invitations-session-rate --jobs $(JOBS) \
	  --set platform.invitations.draw=session_rate
	$(BIN)/feedsim sweep $(EVERYONE) --out $(STRUCTURE)/creator --jobs $(JOBS) \
	  --set focal.member.posts_per_day=0.3
	$(BIN)/feedsim sweep $(EVERYONE) --out $(STRUCTURE)/followers-pull --jobs $(JOBS) \
	  --set platform.followers=pull
	$(BIN)/feedsim sweep $(EVERYONE) --out $(STRUCTURE)/invitations-session-rate --jobs $(JOBS) \
	  --set platform.invitations.draw=session_rate

# The screening copies run on the full studies' networks (the feed regime) for fewer days;
# each analysis samples the structural options as factors beside the leading numbers, two
# replications a point, with a noise parameter (docs/sensitivity.md). `--estimate` on any
# of these lines gives its cost before it runs.
sensitivity: $(STAMP) ## the screening copies at their defaults, Morris over structure and the leading parameters (recruiter, link-with-everyone, the trend), their emulated Sobol indices, the run-to-run noise at the defaults against the emulators' points, and link-with-everyone's emulator again at two replications a point (docs/sensitivity.md)
	$(BIN)/feedsim run scenarios/recruiter-screening.yaml --replications 5 --out results --jobs $(JOBS)
	$(BIN)/feedsim run scenarios/link-with-everyone-screening.yaml --replications 5 --out results --jobs $(JOBS)
	$(BIN)/feedsim run scenarios/trend-spreads-screening.yaml --replications 5 --out results --jobs $(JOBS)
	$(BIN)/feedsim sensitivity scenarios/recruiter-screening.yaml --method morris \
	  --ranges scenarios/ranges/recruiter-structure.yaml --trajectories 3 --replications 2 \
	  --out results --jobs $(JOBS)
	$(BIN)/feedsim sensitivity scenarios/link-with-everyone-screening.yaml --method morris \
	  --ranges scenarios/ranges/link-with-everyone-structure.yaml --trajectories 3 \
	  --replications 2 --out results --jobs $(JOBS)
	$(BIN)/feedsim sensitivity scenarios/trend-spreads-screening.yaml --method morris \
	  --ranges scenarios/ranges/trend-structure.yaml --trajectories 3 --replications 2 \
	  --out results --jobs $(JOBS)
	$(BIN)/feedsim sensitivity scenarios/recruiter-screening.yaml --method emulator \
	  --ranges scenarios/ranges/recruiter-structure.yaml --samples 64 --replications 1 \
	  --out results --jobs $(JOBS)
	$(BIN)/feedsim sensitivity scenarios/link-with-everyone-screening.yaml --method emulator \
	  --ranges scenarios/ranges/link-with-everyone-structure.yaml --samples 64 --replications 1 \
	  --out results --jobs $(JOBS)
	$(BIN)/feedsim sensitivity scenarios/trend-spreads-screening.yaml --method emulator \
	  --ranges scenarios/ranges/trend-structure.yaml --samples 64 --replications 1 \
	  --out results --jobs $(JOBS)
	$(BIN)/feedsim sensitivity scenarios/recruiter-screening.yaml --method noise \
	  --ranges scenarios/ranges/recruiter-structure.yaml --samples 10 \
	  --against results/recruiter-screening-emulator --out results --jobs $(JOBS)
	$(BIN)/feedsim sensitivity scenarios/link-with-everyone-screening.yaml --method noise \
	  --ranges scenarios/ranges/link-with-everyone-structure.yaml --samples 30 \
	  --against results/link-with-everyone-screening-emulator --out results --jobs $(JOBS)
	$(BIN)/feedsim sensitivity scenarios/trend-spreads-screening.yaml --method noise \
	  --ranges scenarios/ranges/trend-structure.yaml --samples 10 \
	  --against results/trend-spreads-screening-emulator --out results --jobs $(JOBS)
	$(BIN)/feedsim sensitivity scenarios/link-with-everyone-screening.yaml --method emulator \
	  --ranges scenarios/ranges/link-with-everyone-structure.yaml --samples 64 --replications 2 \
	  --out results/replicated --jobs $(JOBS)

VALIDATION := results/validation
validation: $(STAMP) ## run the validation studies (docs/validation.md), evaluate their pre-registered bands, write $(VALIDATION)/scorecard.md
	$(BIN)/feedsim run scenarios/validation/validation-sources-of-feed.yaml --out $(VALIDATION) --jobs $(JOBS)
	$(BIN)/feedsim run scenarios/validation/validation-amplification.yaml --out $(VALIDATION) --jobs $(JOBS)
	$(BIN)/feedsim run scenarios/validation/validation-audience.yaml --out $(VALIDATION) --jobs $(JOBS)
	$(BIN)/feedsim run scenarios/validation/validation-chronological.yaml --out $(VALIDATION) --jobs $(JOBS)
	$(BIN)/feedsim run scenarios/validation/validation-centola.yaml --out $(VALIDATION) --jobs $(JOBS)
	$(BIN)/python scenarios/validation/run-centola-map.py $(JOBS)
	$(BIN)/feedsim sweep scenarios/validation/validation-centola-trend.yaml --out $(VALIDATION) \
	  --jobs $(JOBS) --set trend.invitations_per_day=0,1,2,5,10,25
	$(BIN)/feedsim validation evaluate $(VALIDATION)/validation-sources-of-feed \
	  $(VALIDATION)/validation-amplification $(VALIDATION)/validation-audience \
	  $(VALIDATION)/validation-chronological $(VALIDATION)/validation-centola \
	  $(VALIDATION)/validation-centola-map $(VALIDATION)/validation-centola-trend-sweep
	$(BIN)/feedsim validation scorecard $(VALIDATION)

bench: $(STAMP) ## standard performance workloads (not tests)
	$(BIN)/feedsim bench run

lint: $(STAMP) ## ruff, strict mypy and the import contracts
	$(BIN)/ruff check sim tests
	$(BIN)/ruff format --check sim tests
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

clean: ## remove the environment and caches (results stay)
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis build *.egg-info
