-- wrk script: POST one OTP message per request, authenticated with CASCADE_BENCH_KEY.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("CASCADE_BENCH_KEY")
wrk.body = '{"route":[{"channel":"sms","to":"+4915112345678"},'
  .. '{"channel":"whatsapp","to":"+4915112345678"}],'
  .. '"text":"Your code is 123456","reference":"bench"}'
