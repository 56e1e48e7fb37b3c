/**
 * A Spring WebFlux service on Tributary's channels and primitives; see {@link
 * dev.tributary.examples.service.ServiceApplication}.
 */
package dev.tributary.examples.service;
