export * from './descriptor';
export { checkArgs, usage } from './arg-checker';
export { scalarFunctions, javaToString } from './functions/scalar-functions';
export { aggregateFunctions } from './aggregates/aggregate-functions';
export { streamFunctions } from './stream-functions';
export { windowFunctions } from './windows/window-functions';
