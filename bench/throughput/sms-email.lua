-- wrk script for bench/throughput/run.sh: POST one message per request with an SMS step and an
-- email fallback step, authenticated with CASCADE_BENCH_KEY. RateLoad.java sends the same body.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("CASCADE_BENCH_KEY")
wrk.body = '{"route":[{"channel":"sms","to":"+4915112345678"},'
  .. '{"channel":"email","to":"user@example.com","subject":"Code"}],'
  .. '"text":"Your code is 123456","reference":"throughput"}'
