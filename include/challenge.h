/* challenge.h: recognise bot-protection, challenge and block pages (Cloudflare, Akamai, Imperva,
 * …) that some government sites serve with HTTP 200. Used to name the failure class of a document
 * that is not what its source publishes; never to refuse an otherwise valid document. */
#pragma once

#include <stddef.h>

/* A short description ("Cloudflare challenge") when data looks like such a page, else NULL. */
const char *challenge_detect(const char *data, size_t size);
