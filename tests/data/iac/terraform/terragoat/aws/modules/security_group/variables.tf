variable "port" {

}

variable "cidrs" {
  
}