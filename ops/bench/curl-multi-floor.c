/*
 * libcurl's multi interface alone: the CPU floor of an HTTP probe, the yardstick healthd's
 * CPU per probe is held against (issue 10: at most three times this, measured in the same run).
 *
 *   cc -O2 -o curl-multi-floor ops/bench/curl-multi-floor.c $(pkg-config --cflags --libs libcurl)
 *   curl-multi-floor URL [PROBES] [IN_FLIGHT]        defaults: 10000 probes, 50 in flight
 *
 * Every probe is a GET of URL on a fresh connection (CURLOPT_FRESH_CONNECT + FORBID_REUSE), as
 * blackbox_exporter and healthd probe, with the body read and dropped. IN_FLIGHT transfers run at
 * once; a finished one is replaced at once until PROBES have been made. The process's own CPU time
 * (getrusage RUSAGE_SELF: user + system) is taken around the loop alone (not curl's start-up), so
 * the figure is what the multi loop spends per probe. Prints one line each:
 *
 *   probes 10000 failed 0 wall_s 1.234 cpu_ms 567.8 cpu_ms_per_probe 0.0568 probes_per_s 8103.7
 *
 * A failed probe (not HTTP 200, or a transfer error) is counted and the first error printed on
 * stderr; the exit status is 1 if any failed (a floor measured against errors is no floor).
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static size_t drop_body(char *data, size_t size, size_t count, void *user)
{
	(void)data;
	(void)user;
	return size * count;
}

static double cpu_seconds(void)
{
	struct rusage usage;
	getrusage(RUSAGE_SELF, &usage);
	return (double)usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
	       (double)usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

static double wall_seconds(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)now.tv_sec + now.tv_nsec / 1e9;
}

static CURL *new_probe(const char *url)
{
	CURL *easy = curl_easy_init();
	if (!easy) {
		fprintf(stderr, "curl-multi-floor: curl_easy_init failed (out of memory?)\n");
		exit(2);
	}
	curl_easy_setopt(easy, CURLOPT_URL, url);
	curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, 1L);
	curl_easy_setopt(easy, CURLOPT_FORBID_REUSE, 1L);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 10000L);
	curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, drop_body);
	return easy;
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: curl-multi-floor URL [PROBES] [IN_FLIGHT]\n"
				"  e.g. curl-multi-floor http://127.0.0.1:8080/ 10000 50\n");
		return 64;
	}
	const char *url = argv[1];
	long probes = argc > 2 ? strtol(argv[2], NULL, 10) : 10000;
	long in_flight = argc > 3 ? strtol(argv[3], NULL, 10) : 50;
	if (probes <= 0 || in_flight <= 0) {
		fprintf(stderr, "curl-multi-floor: PROBES and IN_FLIGHT must be positive numbers\n");
		return 64;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "curl-multi-floor: curl_global_init failed\n");
		return 2;
	}
	CURLM *multi = curl_multi_init();
	if (!multi) {
		fprintf(stderr, "curl-multi-floor: curl_multi_init failed\n");
		return 2;
	}

	double cpu_start = cpu_seconds(), wall_start = wall_seconds();
	long started = 0, done = 0, failed = 0;
	while (started < probes && started < in_flight) {
		curl_multi_add_handle(multi, new_probe(url));
		started++;
	}
	while (done < probes) {
		int running = 0;
		CURLMcode code = curl_multi_perform(multi, &running);
		if (code != CURLM_OK) {
			fprintf(stderr, "curl-multi-floor: curl_multi_perform: %s\n", curl_multi_strerror(code));
			return 2;
		}
		CURLMsg *message;
		int queued;
		while ((message = curl_multi_info_read(multi, &queued))) {
			if (message->msg != CURLMSG_DONE)
				continue;
			CURL *easy = message->easy_handle;
			long status = 0;
			curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
			if (message->data.result != CURLE_OK || status != 200) {
				if (failed == 0)
					fprintf(stderr, "curl-multi-floor: probe of %s failed: %s (HTTP %ld)\n", url,
						curl_easy_strerror(message->data.result), status);
				failed++;
			}
			curl_multi_remove_handle(multi, easy);
			curl_easy_cleanup(easy);
			done++;
			if (started < probes) {
				curl_multi_add_handle(multi, new_probe(url));
				started++;
			}
		}
		if (done < probes) {
			code = curl_multi_poll(multi, NULL, 0, 1000, NULL);
			if (code != CURLM_OK) {
				fprintf(stderr, "curl-multi-floor: curl_multi_poll: %s\n", curl_multi_strerror(code));
				return 2;
			}
		}
	}
	double wall = wall_seconds() - wall_start, cpu = cpu_seconds() - cpu_start;

	curl_multi_cleanup(multi);
	curl_global_cleanup();
	printf("probes %ld failed %ld wall_s %.3f cpu_ms %.1f cpu_ms_per_probe %.4f probes_per_s %.1f\n", probes, failed,
	       wall, cpu * 1000, cpu * 1000 / probes, probes / wall);
	return failed ? 1 : 0;
}
