/**
 * End-to-end tests: {@link dev.outpost.lab.DevLab} runs the real {@code bin/outpost dev} and drives it
 * through the real CLI and real clients ({@code curl}). Start with {@code WalkingSkeletonTest}.
 */
package dev.outpost.lab;
