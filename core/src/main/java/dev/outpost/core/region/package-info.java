/** The regions Outpost knows by code, with their names and the lab's round-trip times (DESIGN §10). */
package dev.outpost.core.region;
