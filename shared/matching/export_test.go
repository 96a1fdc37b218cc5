package matching

// Certify exposes the optimality checker to the external test package.
var Certify = certify
